import { type ArgumentsHost, Catch, type ExceptionFilter } from "@nestjs/common";
import type { Request, Response } from "express";
import { ErrorRenderer } from "./error-renderer.service";

/** Nest's side of the one error renderer: every route's errors become `{"error": {"code", "message"}}`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly errors: ErrorRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.errors.http(http.getRequest<Request>(), http.getResponse<Response>(), exception, { format: "json" });
  }
}
