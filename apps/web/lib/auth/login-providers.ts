// How people can log in. Only guest login exists today; when the API grows
// GET /api/auth/providers (OIDC, GitHub, ...), the login page lists what it
// returns instead of this constant.
export type LoginProvider = "guest";

export const LOGIN_PROVIDERS: readonly LoginProvider[] = ["guest"];
