// A service starting a task through the client API and awaiting its result.
import { WeftClient } from '@weftworks/weft/client';

const weft = await WeftClient.connect(); // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, WEFT_TASK_QUEUE
try {
  const handle = await weft.start('greetings', {}); // `names` left out: the template's default applies
  const outcome = await weft.result(handle.workflowId);
  console.log(JSON.stringify({ workflowId: handle.workflowId, result: outcome.result, steps: outcome.steps }));
} finally {
  await weft.close();
}
