import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import { SettingsService } from "../settings/settings.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { LessonCatalog } from "../lessons/lesson-catalog.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";

export interface SessionShape {
  nodes: string[];
  /** What the nodes run. */
  image: string;
  /** The lesson's image when `image` is another one; shown to the attendee as a notice. */
  requestedImage: string | null;
}

// Sessions without a lesson get the workshop's classic pair.
export const DEFAULT_NODES = ["node1", "node2"];

/**
 * Decides a new session's nodes and image. A lesson's image is used only when the admin allows it
 * (NODE_IMAGES) and, with LESSON_IMAGE_FALLBACK, only when the engine has it: a laptop trial or a
 * classroom whose production image is not built yet still gets a lab (on NODE_IMAGE, with a notice
 * that says which image the lesson expects) instead of a failed session.
 */
@Injectable()
export class SessionImagePicker implements OnApplicationBootstrap {
  private readonly logger = new Logger("Sessions");
  // One warning per missing image and process, not one per attendee of a classroom.
  private readonly warnedMissing = new Set<string>();

  constructor(
    private readonly lessons: LessonCatalog,
    private readonly engine: DockerEngine,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // The admin starting Kubelab before class should hear about a missing image then, not from the
  // first attendee. Not awaited: start-up does not wait on the engine for a log line.
  onApplicationBootstrap(): void {
    void this.checkLessonImages();
  }

  private async checkLessonImages(): Promise<void> {
    for (const { id } of this.lessons.list()) {
      const wanted = this.lessons.get(id).image;
      if (!wanted || wanted === this.config.nodes.image || !this.settings.current().allowedImages.includes(wanted))
        continue;
      if (!(await this.isOnEngine(wanted))) this.warnMissing(id, wanted);
    }
  }

  async pick(lessonId: string | undefined): Promise<SessionShape> {
    const fallback = this.config.nodes.image;
    if (!lessonId) return { nodes: DEFAULT_NODES, image: fallback, requestedImage: null };
    const lesson = this.lessons.get(lessonId);
    const wanted = lesson.image;
    if (!wanted || wanted === fallback) return { nodes: lesson.nodes, image: fallback, requestedImage: null };
    if (!this.settings.current().allowedImages.includes(wanted)) {
      this.logger.warn(
        `Lesson ${lessonId} asks for image ${wanted}, which NODE_IMAGES (or the admin console) does not allow; using ${fallback}`,
      );
      return { nodes: lesson.nodes, image: fallback, requestedImage: wanted };
    }
    if (this.config.nodes.lessonImageFallback && !(await this.isOnEngine(wanted))) {
      this.warnMissing(lessonId, wanted);
      return { nodes: lesson.nodes, image: fallback, requestedImage: wanted };
    }
    this.warnedMissing.delete(wanted);
    return { nodes: lesson.nodes, image: wanted, requestedImage: null };
  }

  private warnMissing(lessonId: string, image: string): void {
    if (this.warnedMissing.has(image)) return;
    this.warnedMissing.add(image);
    const outcome = this.config.nodes.lessonImageFallback
      ? `its sessions use ${this.config.nodes.image} until it is built (LESSON_IMAGE_FALLBACK=false makes them fail instead)`
      : "its sessions fail until it is built (LESSON_IMAGE_FALLBACK=false)";
    this.logger.warn(`Lesson ${lessonId} asks for image ${image}, which is not on this Docker engine; ${outcome}`);
  }

  private async isOnEngine(image: string): Promise<boolean> {
    try {
      return await this.engine.imageExists(image);
    } catch {
      // The engine is unreachable: provisioning will fail with that error, which says more than a fallback.
      return true;
    }
  }
}
