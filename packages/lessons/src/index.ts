// Entry point of @kubelab/lessons: the lesson format's parser and catalog loader.
export { LessonError } from "./lesson-error";
export { parseLesson, type ParseOptions } from "./parse-lesson";
export { loadLessonCatalog, summarize, type LoadedCatalog } from "./lesson-catalog";
export { emptySecrets, type LessonSecrets } from "./lesson-secrets";
