/**
 * Labels of the domain enums, from the server's one catalogue (backend/domain/labels.py, exported
 * to src/generated/rules.ts): `status.SUBMITTED`, `area.OFFICE`… are message keys like any other.
 */
import { ENUM_LABELS } from '../generated/rules';

/** Message-key prefix → the enum whose labels it names. */
const PREFIXES = {
  status: 'WorkOrderStatus',
  priority: 'Priority',
  woType: 'WorkOrderType',
  event: 'WorkOrderEventKind',
  role: 'Role',
  siteKind: 'SiteKind',
  rec: 'RecordingLocation',
  deviceKind: 'DeviceKind',
  deviceStatus: 'DeviceStatus',
  area: 'AreaType',
  surveyStatus: 'SurveyStatus',
  minutesStatus: 'MinutesStatus',
  conclusion: 'Conclusion',
  mounting: 'Mounting',
  'minutes.role': 'SignerRole',
  'minutes.method': 'SignatureMethod',
  overall: 'Verdict',
  diagSource: 'DiagnosisSource',
} as const satisfies Record<string, keyof typeof ENUM_LABELS>;

type Prefixes = typeof PREFIXES;
export type EnumMessageKey = { [P in keyof Prefixes]: `${P}.${keyof (typeof ENUM_LABELS)[Prefixes[P]] & string}` }[keyof Prefixes];

/** Every enum label as a message in `lang`. */
export function enumMessages(lang: 'tr' | 'en'): Record<EnumMessageKey, string> {
  const out: Record<string, string> = {};
  for (const [prefix, name] of Object.entries(PREFIXES)) {
    const labels: Record<string, { tr: string; en: string }> = ENUM_LABELS[name];
    for (const [member, label] of Object.entries(labels)) out[`${prefix}.${member}`] = label[lang];
  }
  return out;
}
