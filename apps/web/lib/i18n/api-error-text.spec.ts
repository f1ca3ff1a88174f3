import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ZApiErrorCode } from "@kubelab/shared";
import { ApiError } from "../api/api-error";
import { apiErrorDetail, apiErrorText } from "./api-error-text";
import { en } from "./dictionaries/en";
import { es } from "./dictionaries/es";

describe("apiErrorText", () => {
  it("has a text in both languages for every code the API can send", () => {
    for (const code of ZApiErrorCode.options) {
      for (const dict of [en, es]) {
        const text = apiErrorText(new ApiError(400, code, "server words"), dict);
        assert.ok(text && !text.includes("server words"), `${code}: ${text}`);
        assert.notEqual(text, dict.apiErrors.unknown.replace("{code}", code), code);
      }
      // A Spanish text that equals the English one is an untranslated copy.
      assert.notEqual(apiErrorText(new ApiError(400, code, ""), es), apiErrorText(new ApiError(400, code, ""), en));
    }
  });

  it("speaks Spanish from the code and keeps the server's English for the detail line", () => {
    const quota = new ApiError(409, "quota_exceeded", "You already have 2 running sessions (limit 2)");
    assert.equal(apiErrorText(quota, es), es.apiErrors.codes.quota_exceeded);
    assert.equal(apiErrorDetail(quota), "You already have 2 running sessions (limit 2)");
  });

  it("names a code this build does not know instead of showing the server's text", () => {
    const text = apiErrorText(new ApiError(418, "teapot_mode", "I am a teapot"), es);
    assert.ok(text.includes("teapot_mode") && !text.includes("I am a teapot"), text);
  });

  it("has texts for the failures the web app raises itself", () => {
    for (const code of ["network_error", "http_error", "bad_response"]) {
      assert.equal(apiErrorText(new ApiError(0, code, "x"), es), es.apiErrors.codes[code as "network_error"]);
    }
    assert.equal(apiErrorText(new TypeError("undefined is not a function"), es), es.apiErrors.codes.client_error);
  });
});
