// orders.mjs: what the order tests share: the TMF622 paths and waiting for an
// order to end (its provisioning runs on the server's order runner).
import { sleep } from './server.mjs';

export const PO = '/tmf-api/productOrderingManagement/v4/productOrder';

// Polls the order until its state is one of want (the final states by default); throws after 10 s.
export async function settle(srv, id, want = ['completed', 'failed', 'partial', 'cancelled']) {
  for (let i = 0; i < 200; i++) {
    const o = (await srv.request('GET', `${PO}/${id}`)).json;
    if (want.includes(o.state)) return o;
    await sleep(50);
  }
  throw new Error(`order ${id} did not settle`);
}
