import type { TAdminImageList, TAdminImagePool, TAdminWarning } from "@kubelab/shared";
import type { ImageFacts } from "../nodes/docker-engine.adapter";

export interface NodeImagesInput {
  /** The allowed images, NODE_IMAGE first. */
  allowed: readonly string[];
  /** NODE_IMAGE. */
  defaultImage: string;
  /** What the engine says of each allowed image: undefined when missing, null when it did not answer. */
  facts: ReadonlyMap<string, ImageFacts | undefined | null>;
  /** The general warm pool of each image (key = image). */
  pools: ReadonlyMap<string, TAdminImagePool>;
  /** Every lesson with the image it asks for (null: none, so the default image). */
  lessons: readonly { id: string; image: string | null }[];
}

const NO_POOL: TAdminImagePool = { wanted: 0, ready: 0, building: 0 };

/**
 * The admin's images page and the admin home's warnings: each allowed image with its presence on
 * the engine, size, pool and lessons; a warning for each lesson whose image is missing on the
 * engine (its sessions fall back to NODE_IMAGE or fail, per LESSON_IMAGE_FALLBACK) or not allowed
 * (its sessions run on NODE_IMAGE), and one when the engine did not answer.
 */
export function nodeImagesReport(input: NodeImagesInput): TAdminImageList {
  const warnings: TAdminWarning[] = [];
  const usedBy = new Map<string, string[]>(input.allowed.map((image) => [image, []]));
  for (const lesson of [...input.lessons].sort((a, b) => a.id.localeCompare(b.id))) {
    const image = lesson.image ?? input.defaultImage;
    const users = usedBy.get(image);
    if (!users) {
      warnings.push({ code: "lesson_image_not_allowed", lessonId: lesson.id, image });
      continue;
    }
    users.push(lesson.id);
    if (input.facts.get(image) === undefined) {
      warnings.push({ code: "lesson_image_missing", lessonId: lesson.id, image });
    }
  }
  const images = input.allowed.map((image) => {
    const facts = input.facts.get(image);
    return {
      image,
      isDefault: image === input.defaultImage,
      present: facts === null ? null : facts !== undefined,
      sizeBytes: facts?.sizeBytes ?? null,
      createdAt: facts?.createdAt?.toISOString() ?? null,
      pool: input.pools.get(image) ?? NO_POOL,
      lessons: usedBy.get(image)!,
    };
  });
  if (input.facts.get(input.defaultImage) === undefined) {
    warnings.unshift({ code: "default_image_missing", lessonId: null, image: input.defaultImage });
  }
  if (input.allowed.some((image) => input.facts.get(image) === null)) {
    warnings.unshift({ code: "engine_unreachable", lessonId: null, image: null });
  }
  return { images, warnings };
}
