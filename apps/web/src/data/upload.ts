/**
 * Sending a file to import: `POST /api/projects/:slug/imports` with the file as the body, so
 * that the server streams it to disk. XMLHttpRequest rather than fetch, because only it
 * reports upload progress.
 */

/** What the server answers once the file is stored: the job that imports it. */
export interface UploadAnswer {
  job: { id: string };
}

/** Uploads `file` for import into `stage`, reporting the share sent (0 to 1) as it goes. */
export function uploadImport(slug: string, stage: string, file: File, onProgress: (sent: number) => void): Promise<UploadAnswer> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    const query = new URLSearchParams({ stage, name: file.name });
    request.open("POST", `/api/projects/${encodeURIComponent(slug)}/imports?${query}`);
    request.setRequestHeader("x-studio-csrf", "1");
    request.setRequestHeader("content-type", "application/x-ndjson");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: { job?: { id: string }; message?: string } = {};
      try {
        body = JSON.parse(request.responseText) as typeof body;
      } catch {
        // The message below covers an answer that is not JSON.
      }
      if (request.status >= 200 && request.status < 300 && body.job) resolve({ job: body.job });
      else reject(new Error(body.message ?? `The upload failed (HTTP ${request.status}). Try again.`));
    };
    request.onerror = () => reject(new Error("The upload was interrupted: the server could not be reached. Check the connection and try again."));
    request.send(file);
  });
}
