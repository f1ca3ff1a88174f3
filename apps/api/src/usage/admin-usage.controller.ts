import { Controller, Get, Query, Res } from "@nestjs/common";
import { ZAdminUsageQuery, type TAdminUsage } from "@kubelab/shared";
import type { Response } from "express";
import { RequireRole } from "../auth/require-role.decorator";
import { parseQuery } from "../common/zod-validation";
import { UsageService } from "./usage.service";

@Controller("api/admin")
@RequireRole("admin")
export class AdminUsageController {
  constructor(private readonly usage: UsageService) {}

  /** ?from=YYYY-MM-DD&to=YYYY-MM-DD (UTC days, both included; default: the last 30 days). */
  @Get("usage")
  report(@Query() query: unknown): Promise<TAdminUsage> {
    return this.usage.report(parseQuery(ZAdminUsageQuery, query));
  }

  /** One CSV line per session live in the range (usage-report.ts; cells escaped and defused). */
  @Get("usage.csv")
  async csv(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const { range, csv } = await this.usage.csv(parseQuery(ZAdminUsageQuery, query));
    res.setHeader("content-type", "text/csv; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    res.setHeader("content-disposition", `attachment; filename="kubelab-usage-${range.from}-${range.to}.csv"`);
    res.send(csv);
  }
}
