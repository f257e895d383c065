// The application version shown on /health and in the footer.
export const VERSION = "0.1.0";
