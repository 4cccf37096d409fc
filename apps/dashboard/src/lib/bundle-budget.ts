/** The most the dashboard's first page load may transfer, gzip-compressed (issue 13). */
export const INITIAL_LOAD_BUDGET_GZIP_BYTES = 400 * 1024;
