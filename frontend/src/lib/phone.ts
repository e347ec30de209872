/**
 * Phones are stored and answered in E.164 (+12125550147). People read them
 * as they dial them: a number of the clinic's own country in its national
 * form ("(212) 555-0147" in the US, "020 7946 0958" in the UK), any other
 * in international form grouped after its country code ("+44 20 7946 0958").
 * Typing accepts any form; the server reads it (shared/phone).
 */

/** How a country's national significant number is grouped and prefixed. */
interface Plan {
  code: string;
  /** The trunk prefix dialled before a national number ("0" in GB). */
  trunk: string;
  /** Groups of the national significant number, e.g. [2, 4, 4]. */
  groups: (nsn: string) => number[];
  /** Wraps the first group in brackets nationally (NANP, BR). */
  bracket?: boolean;
}

const NANP = ['US', 'CA', 'PR', 'VI', 'GU', 'AS', 'MP', 'AG', 'AI', 'BB', 'BM', 'BS', 'DM', 'DO', 'GD', 'JM', 'KN', 'KY', 'LC', 'MS', 'SX', 'TC', 'TT', 'VC', 'VG'];

const fixed = (...g: number[]) => () => g;

const PLANS: Record<string, Plan> = {
  GB: { code: '44', trunk: '0', groups: (n) => (n.startsWith('2') ? [2, 4, 4] : n.startsWith('7') ? [4, 6] : [4, n.length - 4]) },
  IE: { code: '353', trunk: '0', groups: (n) => (n.startsWith('1') ? [1, 3, n.length - 4] : [2, 3, n.length - 5]) },
  AU: { code: '61', trunk: '0', groups: (n) => (n.startsWith('4') ? [3, 3, 3] : [1, 4, 4]) },
  NZ: { code: '64', trunk: '0', groups: (n) => (n.startsWith('2') ? [2, 3, n.length - 5] : [1, 3, n.length - 4]) },
  DE: { code: '49', trunk: '0', groups: (n) => (n.startsWith('1') ? [3, n.length - 3] : [2, n.length - 2]) },
  FR: { code: '33', trunk: '0', groups: fixed(1, 2, 2, 2, 2) },
  ES: { code: '34', trunk: '', groups: fixed(3, 2, 2, 2) },
  PT: { code: '351', trunk: '', groups: fixed(3, 3, 3) },
  IT: { code: '39', trunk: '', groups: (n) => [2, 4, n.length - 6] },
  NL: { code: '31', trunk: '0', groups: fixed(2, 3, 4) },
  BE: { code: '32', trunk: '0', groups: (n) => (n.length === 9 ? [3, 2, 2, 2] : [1, 3, 2, 2]) },
  CH: { code: '41', trunk: '0', groups: fixed(2, 3, 2, 2) },
  BR: { code: '55', trunk: '', groups: (n) => [2, n.length - 6, 4], bracket: true },
  MX: { code: '52', trunk: '', groups: fixed(2, 4, 4) },
  IN: { code: '91', trunk: '', groups: fixed(5, 5) },
};

const nanpPlan: Plan = { code: '1', trunk: '', groups: fixed(3, 3, 4), bracket: true };

function planOf(country: string): Plan | undefined {
  const c = country.toUpperCase();
  return NANP.includes(c) ? nanpPlan : PLANS[c];
}

/** The plan whose calling code starts these digits (E.164 without "+"). */
function planFor(digits: string): Plan | undefined {
  if (digits.startsWith('1')) return nanpPlan;
  return Object.values(PLANS).find((p) => digits.startsWith(p.code));
}

function group(nsn: string, sizes: number[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= nsn.length || n <= 0) break;
    out.push(nsn.slice(at, at + n));
    at += n;
  }
  if (at < nsn.length) out.push(nsn.slice(at));
  return out;
}

/**
 * `e164` as people of `country` (the clinic's, ISO 3166-1 alpha-2) read it.
 * Text that is not E.164 (a record stored before numbers were normalized)
 * is shown as it is.
 */
export function formatPhone(e164: string | undefined | null, country = 'US'): string {
  if (!e164) return '';
  if (!/^\+\d{8,15}$/.test(e164)) return e164;
  const digits = e164.slice(1);
  const plan = planFor(digits);
  if (!plan) return e164;
  const nsn = digits.slice(plan.code.length);
  if ((plan === nanpPlan && nsn.length !== 10) || !nsn) return e164;
  const parts = group(nsn, plan.groups(nsn));
  const home = planOf(country);
  if (home === plan) {
    if (plan.bracket) {
      const [first, ...rest] = parts;
      return plan === nanpPlan ? `(${first}) ${rest[0]}-${rest.slice(1).join('')}` : `(${first}) ${rest.join('-')}`;
    }
    return plan.trunk + parts.join(' ');
  }
  return `+${plan.code} ${parts.join(' ')}`;
}
