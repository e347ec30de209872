/**
 * Phones are stored and answered in E.164 (+12125550147). People read them
 * in their national shape: North American numbers as (212) 555-0147, others
 * grouped after their "+country" prefix as they came.
 */
export function formatPhone(e164: string | undefined | null): string {
  if (!e164) return '';
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (nanp) return `(${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  return e164;
}
