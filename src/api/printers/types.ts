/** The shapes a server-side printer deals in: meta.k8s.io/v1 Table column definitions and row cells. */

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0 = always shown; 1 = shown only with `-o wide`. */
  priority: number;
}

export interface TablePrinter {
  columns: ColumnDefinition[];
  /** One row's cells, in column order. `now` is the reference time for ages and durations. */
  cells(obj: any, now: Date): unknown[];
}
