// A photo of the visit goes from the phone straight to S3 as a plain form post, which S3 answers
// by sending the browser back to this page: the page's CSP keeps connect-src to its own origin,
// so the file is never sent by script. The API grants the post for one photo of a job waiting
// for its check-in (POST /repairs/jobs/{id}/photos); the media ids uploaded so far are kept in
// this tab (sessionStorage) until the check-in names them.
const UPLOADING = "provider.uploading";
const photosKey = (jobId) => `provider.photos.${jobId}`;
const BACK = "photo"; // the query parameter S3's redirect carries back

export function photosOf(jobId) {
  try {
    const ids = JSON.parse(sessionStorage.getItem(photosKey(jobId)) || "[]");
    return Array.isArray(ids) ? ids.filter((id) => typeof id === "string") : [];
  } catch {
    return [];
  }
}

export function forgetPhotos(jobId) {
  sessionStorage.removeItem(photosKey(jobId));
}

// Where S3 sends the browser after the upload: this page, without its fragment (S3 appends its own
// query parameters, which must not land inside a fragment).
export const returnUrl = () => `${location.origin}${location.pathname}?${BACK}=1`;

// Just before the form goes to S3: which job and media the coming back is for.
export function uploading(jobId, mediaId) {
  sessionStorage.setItem(UPLOADING, JSON.stringify({ jobId, mediaId }));
}

// On load: back from S3 with a photo. The media id joins its job's photos (S3 names the stored
// key, which ends with the media id) and the address goes back to the job's screen.
export function takeUploadedPhoto() {
  const params = new URLSearchParams(location.search);
  if (!params.has(BACK)) return;
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(UPLOADING) || "null");
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(UPLOADING);
  const key = params.get("key");
  if (pending && pending.jobId && pending.mediaId && (!key || key.endsWith(`/${pending.mediaId}`))) {
    const ids = photosOf(pending.jobId);
    if (!ids.includes(pending.mediaId)) ids.push(pending.mediaId);
    sessionStorage.setItem(photosKey(pending.jobId), JSON.stringify(ids));
  }
  history.replaceState(null, "", location.pathname + (pending?.jobId ? `#/jobs/${encodeURIComponent(pending.jobId)}` : ""));
}
