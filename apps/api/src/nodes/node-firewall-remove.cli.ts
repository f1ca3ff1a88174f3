// `npm run firewall:remove`: deletes this installation's node firewall rules (INSTANCE_ID and
// NODE_IMAGE from the environment, like the server). For after a crash, or before uninstalling;
// a graceful server stop already removes them when no session is left.
import { loadConfig } from "../config/app-config";
import { enginesOrLocal } from "../config/docker-engines-config";
import { DockerEngine } from "./docker-engine.adapter";
import { removeNodeFirewall } from "./node-firewall.service";

async function main(): Promise<void> {
  const config = loadConfig();
  // On every engine's host (DOCKER_ENGINES): each has its own rules.
  for (const spec of enginesOrLocal(config.docker.engines)) {
    await removeNodeFirewall(new DockerEngine(config, spec), config.nodes.image, config.instanceId);
    console.log(
      `Node firewall rules of instance "${config.instanceId}" removed from ${spec.name} (or there were none).`,
    );
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
