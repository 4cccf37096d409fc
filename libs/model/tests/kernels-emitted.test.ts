import { describeKernelAgreement } from './kernel-agreement.js';

describeKernelAgreement('emitted');
