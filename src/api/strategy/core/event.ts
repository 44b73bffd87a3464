/** v1 Event (and events.k8s.io/v1): the involved object's namespace must match the event's. */
import { FieldPath, invalid, required, type FieldError } from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

export const eventStrategy: KindStrategy = {
  validate(ev: any): FieldError[] {
    const ns = ev?.metadata?.namespace ?? '';
    const io = ev?.involvedObject ?? ev?.regarding;
    const field = ev?.involvedObject ? 'involvedObject' : 'regarding';
    const ions = io?.namespace ?? '';
    const errs: FieldError[] = [];
    if (ions === '' ? ns !== '' && ns !== 'default' : ns !== ions) {
      errs.push(invalid(FieldPath.root(field, 'namespace'), ions, 'does not match event.namespace'));
    }
    return errs;
  },
};

/** events.k8s.io/v1 additionally requires who reported what. */
export const eventsV1Strategy: KindStrategy = {
  validate(ev: any): FieldError[] {
    const errs = eventStrategy.validate!(ev);
    if (!ev?.eventTime) errs.push(required('eventTime'));
    for (const f of ['reportingController', 'reportingInstance', 'action', 'reason']) if (!ev?.[f]) errs.push(required(f));
    if (ev?.type && !['Normal', 'Warning'].includes(ev.type)) errs.push(invalid('type', ev.type, 'has invalid value: ' + ev.type));
    return errs;
  },
};
