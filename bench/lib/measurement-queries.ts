/**
 * The server side of ChildServer.ask (child.ts): a benchmark server answers `{ cpu: true }` with
 * its CPU time so far (all threads, user + system) and `{ memory: true }` with its RSS and heap
 * after a full GC (servers run with --expose-gc). Other messages are left to the server's own
 * listener.
 */
export function answerMeasurementQueries(): void {
  process.on('message', (message: { cpu?: boolean; memory?: boolean }) => {
    if (message.cpu) {
      const usage = process.cpuUsage();
      process.send!({ cpuMicros: usage.user + usage.system });
    }
    if (message.memory) {
      global.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send!({ rss, heapUsed });
    }
  });
}
