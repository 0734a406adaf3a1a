// The screens drawn with ECharts, one chunk loaded when the first of them opens.
export { Dashboard } from "./dashboard.js";
export { Satisfaction } from "./satisfaction.js";
