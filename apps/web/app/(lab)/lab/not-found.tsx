import Link from "next/link";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { getLocale } from "@/lib/server/locale";

// Shown when the lesson id is malformed or no lesson has it (notFound() in lab/[lessonId]/layout.tsx).
export default async function LessonNotFound() {
  const dict = getDictionary(await getLocale());
  return (
    <main id="main" className="page-main">
      <div className="error-panel" data-testid="lesson-not-found">
        <h1>{dict.errors.lessonNotFoundTitle}</h1>
        <p className="lead">{dict.errors.lessonNotFoundBody}</p>
        <p>
          <Link href="/" className="button button-primary">
            {dict.common.backToCatalog}
          </Link>
        </p>
      </div>
    </main>
  );
}
