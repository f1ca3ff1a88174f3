import { Controller, Get, Param, Query, Res } from "@nestjs/common";
import { ZLessonLanguage, type TLesson, type TLessonCatalog } from "@kubelab/shared";
import type { Response } from "express";
import { PublicRoute } from "../auth/public-route.decorator";
import { AppError } from "../common/app-error";
import { LessonCatalog } from "./lesson-catalog.service";

/** A `?lang=` query parameter: absent, or a two-letter language code. */
export function langQuery(lang: string | undefined): string | undefined {
  if (lang !== undefined && !ZLessonLanguage.safeParse(lang).success) {
    throw new AppError("bad_request", "lang must be a two-letter language code like es or en");
  }
  return lang;
}

// The catalog is public: the home page shows it before anyone logs in.
@PublicRoute()
@Controller("api/lessons")
export class LessonsController {
  constructor(private readonly catalog: LessonCatalog) {}

  @Get()
  list(): TLessonCatalog {
    return { lessons: this.catalog.list() };
  }

  @Get(":id")
  get(@Param("id") id: string, @Query("lang") lang?: string): TLesson {
    return this.catalog.get(id, langQuery(lang));
  }

  @Get(":id/assets/*path")
  asset(@Param("id") id: string, @Param("path") assetPath: string | string[], @Res() res: Response): void {
    const relative = Array.isArray(assetPath) ? assetPath.join("/") : assetPath;
    const { file, contentType } = this.catalog.asset(id, relative);
    // SVGs may carry scripts: served as images only, never as documents.
    res.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.type(contentType).sendFile(file);
  }
}
