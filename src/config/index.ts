export { ConfigError } from './errors';
export { loadSettings, DEFAULTS, type Settings, type SettingsSource, type TwitterSettings, type FacebookSettings, type MailSettings } from './settings';
export { parseSites, loadSites, type Site } from './sites';
export { assertProductionReady, type ProductionCheckOptions } from './production';
export { LOG_LEVELS, type LogLevel, type LogFormat, type ObservabilitySettings } from './observability';
