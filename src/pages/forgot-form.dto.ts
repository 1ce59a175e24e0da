import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { NO_CONTROL_CHARACTERS, WellFormed } from '../common/validation';
import { EMAIL_MAX_LENGTH } from '../users/email';

/** The /forgot form's one field: a username, or (with an "@") an e-mail address. */
export class ForgotFormDto {
  @IsString() @IsNotEmpty() @WellFormed() @MaxLength(EMAIL_MAX_LENGTH)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'account must not contain control characters' })
  account!: string;

  get request(): { username: string } | { email: string } {
    return this.account.includes('@') ? { email: this.account.trim() } : { username: this.account.trim() };
  }
}
