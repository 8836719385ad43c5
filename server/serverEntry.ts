/** The bundle the VS Code client starts (`dist/server.js`). */
import { runLanguageServer } from './main';

runLanguageServer();
