// The repair provider's page signs its calls with the provider's (or its technician's) API key:
// kept in this tab's sessionStorage only (gone when the tab closes), never in the URL. The API
// decides what the key may see and do; the page only shows what it answers.
const KEY = "provider.key";

export const providerKey = () => sessionStorage.getItem(KEY);

export function keepKey(key) {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY);
  dispatchEvent(new Event("provider:signed-out"));
}

// For api.js: the key as X-Api-Key; a 401 (the key was revoked) signs out, and the call fails.
export const keyCredential = {
  headers() {
    const key = providerKey();
    return key ? { "X-Api-Key": key } : {};
  },
  async refused() {
    forgetKey();
    return false;
  },
};
