import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf, ValidationOptions, registerDecorator } from 'class-validator';

/** Whitelist, no implicit conversion, unknown fields refused; one readable message. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(describe(errors).join('; ')),
  });
}

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((message) =>
      prefix ? `${prefix}${error.property}: ${message}` : message,
    ),
    ...describe(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}

/** A string no longer than `max` bytes of UTF-8 (what bcrypt actually reads). */
export function MaxBytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'maxBytes',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [max],
      options: { message: `$property must be at most ${max} bytes of UTF-8`, ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= max,
      },
    });
}

/**
 * An optional field: it may be left out, but when present it is validated like any other.
 * (class-validator's IsOptional also waves `null` through, which must be a 400 here.)
 */
export const OptionalField = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Well-formed Unicode: a lone surrogate cannot be stored as UTF-8, so it would come back as
 * U+FFFD (a name changed behind the user's back, a password that no longer matches).
 */
export function WellFormed(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'wellFormed',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be well-formed Unicode text', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && !LONE_SURROGATE.test(value) },
    });
}

/**
 * Characters that act on the text around them without being seen: C0 and C1 controls (DEL
 * included), the line and paragraph separators U+2028/U+2029 (a new line to many consumers), and
 * the bidi embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069 (with U+202E,
 * "ada\u202Egnp.exe" shows as "adaexe.png"). HTML escaping leaves them in place, and API
 * consumers show them as they are.
 */
const INVISIBLE_CONTROLS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Free text that others are shown (a display name) or that a page writes back: none of
 * INVISIBLE_CONTROLS. The 400 names the field and the character found, so the sender can find it
 * although it cannot be seen. Every such field carries this decorator: the one copy of the rule.
 */
export function PlainText(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'plainText',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: ({ property, value }) => {
          const found = typeof value === 'string' ? INVISIBLE_CONTROLS.exec(value)?.[0] : undefined;
          return `${property} must not contain control, line-separator or bidi-override characters${found ? ` (found ${codePoint(found)})` : ''}`;
        },
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && !INVISIBLE_CONTROLS.test(value) },
    });
}
