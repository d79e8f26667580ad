import type { RegulationPreset } from './preset.schema';
import { BEIJING_2023 } from './beijing-2023.preset';
import { YANJI_2019 } from './yanji-2019.preset';
import { QINGPU_2020 } from './qingpu-2020.preset';
import { MIYUN_2014 } from './miyun-2014.preset';
import { QILIHE_2012 } from './qilihe-2012.preset';
import { NATIONAL_GB33358 } from './national-gb33358.preset';

export * from './preset.schema';
export * from './rule-select';
export { BEIJING_2023, YANJI_2019, QINGPU_2020, MIYUN_2014, QILIHE_2012, NATIONAL_GB33358 };

export const DEFAULT_PRESET_ID = 'beijing-2023';

export const BUILT_IN_PRESETS: readonly RegulationPreset[] = [
  BEIJING_2023, YANJI_2019, QINGPU_2020, MIYUN_2014, QILIHE_2012, NATIONAL_GB33358,
];

export function builtInPreset(id: string): RegulationPreset | undefined {
  return BUILT_IN_PRESETS.find((p) => p.id === id);
}
