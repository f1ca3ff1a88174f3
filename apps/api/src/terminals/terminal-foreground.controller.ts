import { Controller, Get, Param, Query } from "@nestjs/common";
import { ZTerminalForegroundQuery, type TTerminalForeground } from "@kubelab/shared";
import { SessionAccess } from "../access/session-access.service";
import { CurrentUser } from "../auth/current-user.decorator";
import { parseQuery } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { DockerEngines } from "../nodes/docker-engines.service";
import { FOREGROUND_SCRIPT, foregroundFrom } from "./terminal-foreground";
import { TerminalRegistry } from "./terminal-registry.service";

// A look at /proc in the node: quick, or not worth waiting for (the page then simply types).
const FOREGROUND_TIMEOUT_MS = 5_000;

/**
 * Whether a command runs in the foreground of the attendee's terminal in a node (`kubectl get -w`,
 * `docker compose up`): the lab page asks before typing a lesson command into it.
 */
@Controller("api/sessions/:id/nodes/:node/terminal")
export class TerminalForegroundController {
  constructor(
    private readonly access: SessionAccess,
    private readonly engines: DockerEngines,
    private readonly terminals: TerminalRegistry,
  ) {}

  @Get("foreground")
  async foreground(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("node") nodeName: string,
    @Query() query: unknown,
  ): Promise<TTerminalForeground> {
    const { terminal } = parseQuery(ZTerminalForegroundQuery, query);
    const { session, node } = await this.access.node(user, id, nodeName, "terminal");
    const target = { sessionId: session.id, node: node.name, containerId: node.containerId!, terminalId: terminal };
    // No shell of that terminal in this process: nothing can be running in it.
    if (!this.terminals.running(target)) return { busy: false, command: null };
    const engine = await this.engines.forSession(session.id);
    const { exitCode, output } = await engine.exec(
      target.containerId,
      ["/bin/sh", "-c", FOREGROUND_SCRIPT, "foreground", terminal],
      FOREGROUND_TIMEOUT_MS,
    );
    return exitCode === 0 ? foregroundFrom(output) : { busy: false, command: null };
  }
}
