/**
 * The one thing the writers need from the auth client: an authorized HTTP request. A type of
 * its own so tests inject a fake and the handler never depends on the client class.
 */

export interface GoogleRequestOptions {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly data?: unknown;
  readonly headers?: Record<string, string>;
  /** Milliseconds before the attempt is aborted. */
  readonly timeout?: number;
  readonly responseType?: "json" | "text";
}

export interface GoogleResponse<T> {
  readonly status: number;
  readonly data: T;
}

export type GoogleRequest = <T>(options: GoogleRequestOptions) => Promise<GoogleResponse<T>>;

/**
 * The parts of a failed call that the error mapping reads. gaxios errors (and the OAuth errors
 * the auth library derives from them for STS) have this shape; so do the tests' fakes.
 */
export interface HttpErrorLike {
  readonly message?: string;
  readonly code?: string | number;
  readonly status?: number;
  readonly config?: { readonly url?: string | URL };
  readonly response?: { readonly status?: number; readonly data?: unknown };
}
