import { Controller, Get, Param, Query } from "@nestjs/common";
import { ZAuditQuery, type TAuditEntry, type TAuditList } from "@kubelab/shared";
import { RequireRole } from "../auth/require-role.decorator";
import { parseQuery } from "../common/zod-validation";
import { AuditQuery } from "./audit-query.service";

/**
 * The audit log for admins: read-only. There is deliberately no route that changes or removes an
 * entry (the table refuses it too); only the server's retention pruning deletes old ones.
 */
@Controller("api/admin/audit")
@RequireRole("admin")
export class AdminAuditController {
  constructor(private readonly audit: AuditQuery) {}

  @Get()
  list(@Query() query: unknown): Promise<TAuditList> {
    return this.audit.list(parseQuery(ZAuditQuery, query));
  }

  @Get(":id")
  get(@Param("id") id: string): Promise<TAuditEntry> {
    return this.audit.get(id);
  }
}
