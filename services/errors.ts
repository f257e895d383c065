// One error type for the whole app; app.ts maps it to HTTP in one place.
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);
export const forbidden = (message = "you do not have permission to do this") =>
  new AppError(403, "forbidden", message);
export const unauthorized = (message = "authentication required") =>
  new AppError(401, "unauthorized", message);
export const conflict = (message: string, details?: unknown) =>
  new AppError(409, "conflict", message, details);
export const invalid = (message: string, details?: unknown) =>
  new AppError(422, "invalid", message, details);
