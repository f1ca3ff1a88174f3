// Entry point of @kubelab/lessons: the lesson format's parser and catalog loader.
export { LessonError } from "./lesson-error";
export { parseLesson, parseLessonWithSecrets, type ParseOptions, type ParsedLesson } from "./parse-lesson";
export { loadLessonCatalog, summarize, type LoadedCatalog } from "./lesson-catalog";
export { emptySecrets, type LessonSecrets } from "./lesson-secrets";
export { DEFAULT_CHECK_TIMEOUT_SECONDS, MAX_CHECK_TIMEOUT_SECONDS } from "./lesson-fence";
