/**
 * The work-order report as an Excel workbook (exceljs): sheet 报表 with one row per unit and
 * Chinese headers, sheet 热点 with the hot topics. Numbers are written as numbers so the figures
 * can be summed and charted in the spreadsheet; text that would read as a formula is quoted like
 * in the CSV export.
 */
import ExcelJS from 'exceljs';
import { csvSafeText, reportTable, type ReportCell, type WorkOrderReport } from '../../app/work-orders/reporting/work-order-report.service';

const cell = (c: ReportCell): string | number | null => (typeof c === 'string' ? csvSafeText(c) : c);

export async function reportWorkbook(r: WorkOrderReport, unitNames?: ReadonlyMap<string, string>): Promise<Buffer> {
  const t = reportTable(r, unitNames);
  const wb = new ExcelJS.Workbook();
  wb.creator = '12345热线';
  wb.created = r.asOf;
  const sheet = wb.addWorksheet('报表', { views: [{ state: 'frozen', ySplit: 1, xSplit: 3 }] });
  sheet.addRow([...t.header]).font = { bold: true };
  for (const row of t.rows) sheet.addRow(row.map(cell));
  sheet.columns.forEach((col, i) => {
    col.width = Math.max(10, (t.header[i]?.length ?? 8) * 2 + 2);
  });
  const topics = wb.addWorksheet('热点');
  topics.addRow([...t.topicHeader]).font = { bold: true };
  for (const row of t.topics) topics.addRow(row.map(cell));
  topics.columns.forEach((col) => {
    col.width = 14;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
