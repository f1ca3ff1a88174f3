import fs from "node:fs";
import path from "node:path";
import { Inject, Injectable, Logger, type OnModuleInit } from "@nestjs/common";
import { loadLessonCatalog, summarize, type LessonSecrets } from "@kubelab/lessons";
import type { TLesson, TLessonSummary } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";

// Assets a lesson may ship, with the content types browsers need to show them.
const ASSET_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
};

/** The lessons under LESSONS_DIR, parsed once at start-up. Invalid lessons are logged and left out. */
@Injectable()
export class LessonCatalog implements OnModuleInit {
  private readonly logger = new Logger("Lessons");
  private lessons = new Map<string, Map<string, TLesson>>();
  private lessonSecrets = new Map<string, Map<string, LessonSecrets>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    const { lessons, secrets, errors, warnings } = loadLessonCatalog(
      this.config.lessonsDir,
      (id) => `/api/lessons/${id}/assets`,
    );
    for (const error of errors) this.logger.error(`Lesson skipped: ${error.message}`);
    for (const warning of warnings) this.logger.warn(`Lesson loaded with a difference: ${warning.message}`);
    this.lessons = lessons;
    this.lessonSecrets = secrets;
    this.logger.log(`Loaded ${lessons.size} lesson(s) from ${this.config.lessonsDir}`);
  }

  list(): TLessonSummary[] {
    return [...this.lessons.values()].map(summarize);
  }

  /** One language version; without `lang`, English if present, else the first language. */
  get(id: string, lang?: string): TLesson {
    const versions = this.lessons.get(id);
    if (!versions) throw new AppError("not_found", `No lesson "${id}"`);
    const chosen = lang ?? (versions.has("en") ? "en" : [...versions.keys()][0]!);
    const lesson = versions.get(chosen);
    if (!lesson) {
      throw new AppError(
        "not_found",
        `Lesson "${id}" has no "${chosen}" version (available: ${[...versions.keys()].join(", ")})`,
      );
    }
    return lesson;
  }

  /** What the server keeps from the browser for one language version (check scripts, quiz answers). */
  secrets(id: string, lang: string): LessonSecrets {
    const lesson = this.get(id, lang);
    const secrets = this.lessonSecrets.get(id)?.get(lesson.lang);
    if (!secrets) throw new AppError("not_found", `No lesson "${id}"`);
    return secrets;
  }

  /** Absolute path and content type of a lesson asset; only image files inside the lesson folder. */
  asset(id: string, relativePath: string): { file: string; contentType: string } {
    this.get(id);
    const folder = path.join(this.config.lessonsDir, id);
    const file = path.resolve(folder, relativePath);
    const contentType = ASSET_TYPES[path.extname(file).toLowerCase()];
    if (!file.startsWith(folder + path.sep) || !contentType || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new AppError("not_found", "No such lesson asset");
    }
    return { file, contentType };
  }
}
