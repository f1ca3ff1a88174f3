import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLocale, negotiateLocale } from "./locales";

describe("negotiateLocale", () => {
  it("falls back to English without a usable header", () => {
    for (const header of [undefined, null, "", "*", "fr-FR,de;q=0.8", "es;q=0", "garbage;;,"]) {
      assert.equal(negotiateLocale(header), "en", JSON.stringify(header));
    }
  });

  it("takes the first supported language by q-value, region subtags ignored", () => {
    assert.equal(negotiateLocale("es-ES,es;q=0.9,en;q=0.8"), "es");
    assert.equal(negotiateLocale("ES-mx"), "es");
    assert.equal(negotiateLocale("fr-FR, es;q=0.5, en;q=0.4"), "es");
    assert.equal(negotiateLocale("en;q=0.3, es;q=0.7"), "es");
    assert.equal(negotiateLocale("es;q=0.5, en"), "en");
    assert.equal(negotiateLocale("de, es ; q=0.2"), "es");
  });

  it("keeps the header's order when q-values tie", () => {
    assert.equal(negotiateLocale("es;q=0.8, en;q=0.8"), "es");
    assert.equal(negotiateLocale("en, es"), "en");
  });

  it("knows exactly en and es", () => {
    assert.equal(isLocale("es"), true);
    assert.equal(isLocale("en"), true);
    for (const value of ["es-ES", "EN", "fr", "", undefined, null]) assert.equal(isLocale(value), false);
  });
});
