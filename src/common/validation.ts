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

/** A display name: no control characters (they would reach every page and log that shows it). */
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001F\u007F]*$/;
