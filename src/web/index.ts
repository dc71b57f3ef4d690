export { startViewer, CONTENT_SECURITY_POLICY, type Viewer, type ViewerOptions } from './server.js';
export type { GroundTruthLabeller } from './samples.js';
