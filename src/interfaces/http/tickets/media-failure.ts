import { MediaUrlRefusedError, TwilioGatewayError } from '../../../application/ports/twilio-gateway.port';
import { ApiError } from '../errors/api-error';

/**
 * A Twilio failure while opening a media item, as the API answers it (before any byte was
 * sent). The gateway's own message is for the logs; clients get a stable code.
 */
export function mediaFailure(error: TwilioGatewayError): ApiError {
  if (error instanceof MediaUrlRefusedError) {
    return new ApiError(422, 'MEDIA.URL_REFUSED', "the stored media URL is not a Twilio media URL of the integration's account; Zapdesk does not fetch it");
  }
  switch (error.kind) {
    case 'not_found':
      return new ApiError(404, 'MEDIA.NOT_FOUND_AT_TWILIO', 'Twilio has no such media (deleted, or still not stored after a few retries)');
    case 'auth':
      return new ApiError(502, 'MEDIA.TWILIO_AUTH_FAILED', "Twilio refused the integration's credentials; validate the integration");
    case 'transient':
      return new ApiError(503, 'MEDIA.TWILIO_UNAVAILABLE', 'Twilio could not be reached or is busy; try again shortly');
    case 'permanent':
      return new ApiError(502, 'MEDIA.TWILIO_FAILED', 'Twilio could not serve the media');
  }
}
