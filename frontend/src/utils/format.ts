import type { TFunction } from '../i18n';

/** "42 s", "7 min 5 s", "3 h 20 min", "2 d 4 h": two units at most. */
export const formatDuration = (t: TFunction, totalSeconds: number): string => {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return t('{{s}} s', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? t('{{m}} min {{s}} s', { m, s: s % 60 }) : t('{{m}} min', { m });
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? t('{{h}} h {{m}} min', { h, m: m % 60 }) : t('{{h}} h', { h });
  const d = Math.floor(h / 24);
  return h % 24 ? t('{{d}} d {{h}} h', { d, h: h % 24 }) : t('{{d}} d', { d });
};

export const secondsBetween = (from?: string, to?: string | number): number | undefined => {
  if (!from) return undefined;
  const start = Date.parse(from);
  const end = typeof to === 'number' ? to : to ? Date.parse(to) : Date.now();
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return Math.max(0, (end - start) / 1000);
};

// Building an Intl.DateTimeFormat costs far more than formatting with one (about half a
// millisecond against microseconds): a table of clusters formats a date per row, so one per language.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

export const formatDateTime = (iso: string | undefined, language?: string): string => {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const key = language ?? '';
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' });
    dateTimeFormats.set(key, format);
  }
  return format.format(date);
};

export const formatNumber = (n: number, language?: string): string =>
  new Intl.NumberFormat(language).format(n);
