import { describe, expect, it } from 'vitest';
import { SesEventRouter, SesEventType, parseSesNotification } from '../../functions/core/ses-events.ts';
import { ValidationError } from '../../functions/core/errors.ts';
import { MemoryLogger } from '../kit/memory/index.ts';

describe('Function: parseSesNotification', () => {
  it('reads the type of both SES formats and rejects what is not a JSON object', () => {
    expect(parseSesNotification('{"eventType":"Send","mail":{}}', 'sns-1')).toMatchObject({ type: 'Send', id: 'sns-1', body: { mail: {} } });
    expect(parseSesNotification('{"notificationType":"Bounce"}').type).toBe('Bounce');
    expect(parseSesNotification('{}').type).toBe('');
    expect(() => parseSesNotification('{nope')).toThrow(ValidationError);
    expect(() => parseSesNotification('[1]')).toThrow(ValidationError);
  });
});

describe('Class: SesEventRouter', () => {
  describe('Method: dispatch', () => {
    it('hands each notification to the handler of its type, and ignores kinds nobody handles', async () => {
      // Prepare
      const seen: string[] = [];
      const router = new SesEventRouter({ logger: new MemoryLogger() })
        .on(SesEventType.SEND, async (n) => seen.push(`send:${n.id}`))
        .on(SesEventType.BOUNCE, async (n) => seen.push(`bounce:${(n.body.bounce as { bounceType: string }).bounceType}`));

      // Act
      const results = [
        await router.dispatch('{"eventType":"Send","mail":{"messageId":"m"}}', 'sns-1'),
        await router.dispatch('{"notificationType":"Bounce","bounce":{"bounceType":"Permanent"}}', 'sns-2'),
        await router.dispatch('{"eventType":"Delivery","mail":{}}', 'sns-3'),
      ];

      // Assess
      expect(seen).toEqual(['send:sns-1', 'bounce:Permanent']);
      expect(results.map((r) => [r.type, r.handled])).toEqual([['Send', true], ['Bounce', true], ['Delivery', false]]);
    });

    it('lets a handler error through, so the invocation is retried', async () => {
      // Prepare
      const router = new SesEventRouter({ logger: new MemoryLogger() }).on(SesEventType.SEND, async () => {
        throw new Error('DynamoDB is down');
      });

      // Act
      const dispatched = router.dispatch('{"eventType":"Send","mail":{}}');

      // Assess
      await expect(dispatched).rejects.toThrow('DynamoDB is down');
    });
  });
});
