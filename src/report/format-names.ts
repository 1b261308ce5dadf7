/** Names of report formats and row orders: one list for the renderers and the CLI (import-free, so the CLI's start-up loads nothing else). */
export const REPORT_FORMATS = ["table", "json", "csv", "markdown", "html"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const SORT_KEYS = ["order", "sqnr", "name", "size"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
