import os from 'node:os';

export interface Row {
  readonly name: string;
  readonly value: string;
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
}

/** Prints one table: what was measured, its ratio to the same run's baseline, and the target. */
export function printTable(title: string, rows: readonly Row[]): void {
  console.log(`\n## ${title}\n`);
  console.log('| measurement | value | ratio | target | met |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) {
    const ratio = row.ratio === undefined ? '' : `${row.ratio.toFixed(row.ratio < 0.1 ? 4 : 2)}×`;
    const met = row.met === undefined ? '' : row.met ? 'yes' : '**no**';
    console.log(`| ${row.name} | ${row.value} | ${ratio} | ${row.target ?? ''} | ${met} |`);
  }
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Bytes as MiB, with `digits` decimals. */
export function mebibytes(bytes: unknown, digits = 1): string {
  return `${(Number(bytes) / 2 ** 20).toFixed(digits)} MiB`;
}

export function perSecond(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')}/s`;
}
