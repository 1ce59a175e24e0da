import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PlainText, WellFormed } from '../common/validation';
import { EMAIL_MAX_LENGTH } from '../users/email';

/** The /forgot form's one field: a username, or (with an "@") an e-mail address. */
export class ForgotFormDto {
  @IsString() @IsNotEmpty() @WellFormed() @MaxLength(EMAIL_MAX_LENGTH) @PlainText()
  account!: string;

  get request(): { username: string } | { email: string } {
    return this.account.includes('@') ? { email: this.account.trim() } : { username: this.account.trim() };
  }
}
