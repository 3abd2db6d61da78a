/**
 * `weft ui`: the local operator page, served from history through the client API.
 * @example
 * import { startUiServer } from './ui/index.js';
 * const server = await startUiServer(await WeftClient.connect(), { port: 8299 });
 */
export { startUiServer, type UiServer, type UiServerOptions } from './server.js';
export { candidateGraph, stepOfPointer, taskGraph, type Graph, type GraphEdge, type GraphNode } from './graph.js';
export { listQuery, listPage, stepPage, taskPage, type ListFilters } from './html.js';
