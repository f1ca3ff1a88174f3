import { Controller, Get } from "@nestjs/common";
import type { TNodeSecurityReport } from "@kubelab/shared";
import { RequireRole } from "../auth/require-role.decorator";
import { NodeSecurityReportService } from "./node-security-report.service";

@Controller("api/admin/node-security")
@RequireRole("admin")
export class NodeSecurityController {
  constructor(private readonly reports: NodeSecurityReportService) {}

  @Get()
  get(): Promise<TNodeSecurityReport> {
    return this.reports.report();
  }
}
