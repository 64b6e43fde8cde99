// The worker's workflowsPath / bundle entry: every workflow type, by its wire name.
export { purchaseWorkflow } from './purchase';
export { conektaWebhookKeyWorkflow, reconnectDeviceWorkflow, routerProbeWorkflow, telegramTestWorkflow } from './operations';
export { reconcileWorkflow } from './reconcile';
export { reconcilePaymentsWorkflow } from './reconcile-payments';
