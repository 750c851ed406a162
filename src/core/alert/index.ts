/** The alert text and formats: one place that words an alert row for people and SIEMs. */
export { AlertContext, AlertFacts, alertFacts, AlertRow, pValueWords } from './facts';
export { alertBody, alertSubject, alertText, batchSubject, SUBJECT_MAX } from './text';
export { alertHtml } from './html';
export {
  ALERT_FORMATS,
  AlertFormat,
  cefLine,
  ecsDocument,
  emailMessage,
  formatAlerts,
  FormatOptions,
  parseStructuredData,
  slackMessage,
  syslogLine,
  teamsMessage,
} from './formats';
