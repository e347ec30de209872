/**
 * Countries and languages as people choose them (by name), stored as the
 * codes the API takes: ISO 3166-1 alpha-2 countries ("US") and BCP 47
 * languages ("en", "pt-BR"). Names come from the browser (Intl.DisplayNames).
 */

const ISO_COUNTRIES =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
  'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
  'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
  'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW';

/** The languages offered first: those most often asked for at a practice. */
const LANGUAGES = [
  'en', 'es', 'zh', 'vi', 'tl', 'ar', 'fr', 'ko', 'ru', 'pt', 'pt-BR', 'de', 'ht', 'it', 'pl', 'hi', 'ur', 'bn',
  'pa', 'fa', 'ja', 'el', 'he', 'tr', 'uk', 'gu', 'ta', 'te', 'so', 'am', 'yo', 'nl', 'sv', 'ro', 'hu', 'cs', 'th',
];

/** Countries whose phone numbers the server reads in national form (the clinic's country). */
export const PHONE_COUNTRIES = [
  'US', 'CA', 'PR', 'GB', 'IE', 'AU', 'NZ', 'DE', 'FR', 'ES', 'PT', 'IT', 'NL', 'BE', 'CH', 'BR', 'MX', 'IN',
  'AG', 'AI', 'AS', 'BB', 'BM', 'BS', 'DM', 'DO', 'GD', 'GU', 'JM', 'KN', 'KY', 'LC', 'MP', 'MS', 'SX', 'TC', 'TT', 'VC', 'VG', 'VI',
];

export interface Choice {
  code: string;
  name: string;
}

function displayNames(type: 'region' | 'language'): Intl.DisplayNames | null {
  try {
    return new Intl.DisplayNames(['en'], { type, fallback: 'code' });
  } catch {
    return null;
  }
}

const regions = displayNames('region');
const languages = displayNames('language');

/** "US" → "United States"; an unknown code is shown as it is. */
export function countryName(code: string): string {
  if (!code) return '';
  try {
    return regions?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** "es" → "Spanish", "pt-BR" → "Brazilian Portuguese". */
export function languageName(code: string): string {
  if (!code) return '';
  try {
    return languages?.of(code) ?? code;
  } catch {
    return code;
  }
}

const byName = (a: Choice, b: Choice) => a.name.localeCompare(b.name, 'en');

/** Every country by name; `current` is kept even when it is not on the list. */
export function countryChoices(codes: string[] = ISO_COUNTRIES.split(' '), current = ''): Choice[] {
  const list = codes.map((code) => ({ code, name: countryName(code) }));
  if (current && !codes.includes(current.toUpperCase())) list.push({ code: current, name: countryName(current) });
  return list.sort(byName);
}

/** The usual languages by name; `current` (any stored tag) is kept. */
export function languageChoices(current = ''): Choice[] {
  const list = LANGUAGES.map((code) => ({ code, name: languageName(code) }));
  if (current && !LANGUAGES.includes(current)) list.push({ code: current, name: languageName(current) });
  return list.sort(byName);
}
