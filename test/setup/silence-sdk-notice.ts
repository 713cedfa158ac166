import { silenceSdkNodeVersionNotice } from '../../src/runtime/sdk-node-notice.ts';

silenceSdkNodeVersionNotice();
