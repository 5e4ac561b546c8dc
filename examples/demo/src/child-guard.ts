// Preloaded (node --require) into every process the demo starts. If the demo goes away without
// stopping them (crash, SIGKILL), the IPC channel closes and the child shuts down gracefully on its
// own: the demo never leaves a process behind. The channel must not keep the child alive either.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

export {};
