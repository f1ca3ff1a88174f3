import { ZAdminImageList } from "@kubelab/shared";
import type { Metadata } from "next";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).adminImages.title };
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

// The start-up warning about missing images, made visible: each allowed image, whether the engine
// has it, its size and age, its warm pool and the lessons that run on it.
export default async function AdminImagesPage() {
  const [result, locale] = await Promise.all([apiFetch("/api/admin/images", ZAdminImageList), getLocale()]);
  if (!result.ok) throw result.error;
  const t = getDictionary(locale).adminImages;
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const { images } = result.data;
  return (
    <>
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      <table className="admin-table" data-testid="admin-images">
        <thead>
          <tr>
            <th scope="col">{t.image}</th>
            <th scope="col">{t.status}</th>
            <th scope="col">{t.size}</th>
            <th scope="col">{t.created}</th>
            <th scope="col">{t.pool}</th>
            <th scope="col">{t.lessons}</th>
          </tr>
        </thead>
        <tbody>
          {images.map((image) => (
            <tr
              key={image.image}
              data-image={image.image}
              data-present={image.present === null ? "unknown" : String(image.present)}
            >
              <th scope="row">
                <code>{image.image}</code>
                {image.isDefault ? <span className="muted"> ({t.defaultImage})</span> : null}
              </th>
              <td className={image.present === false ? "admin-image-missing" : undefined}>
                {image.present === null ? t.unknown : image.present ? t.present : t.missing}
              </td>
              <td>{image.sizeBytes === null ? "—" : mebibytes(image.sizeBytes)}</td>
              <td>{image.createdAt ? dates.format(new Date(image.createdAt)) : "—"}</td>
              <td>{formatMessage(t.poolValue, image.pool)}</td>
              <td>{image.lessons.length ? image.lessons.join(", ") : t.noLessons}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {images.some((image) => image.present === false) ? <p className="muted">{t.missingHint}</p> : null}
    </>
  );
}
