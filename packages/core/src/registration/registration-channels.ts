import { DIAGNOSTIC_CHANNELS, publish, type RegistrationMessage } from '../diagnostics';

const CHANNELS = {
  registered: DIAGNOSTIC_CHANNELS.registrationRegistered,
  reregistered: DIAGNOSTIC_CHANNELS.registrationReregistered,
  deregistered: DIAGNOSTIC_CHANNELS.registrationDeregistered,
} as const;

/** Publishes a registration lifecycle event on its `node:diagnostics_channel` channel. */
export function publishRegistration(
  event: keyof typeof CHANNELS,
  message: RegistrationMessage,
): void {
  publish(CHANNELS[event], message);
}
